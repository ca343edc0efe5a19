{{- define "ci-runner.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ci-runner.fullname" -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ci-runner.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ci-runner.image" -}}
{{- $appVersion := ternary "bleeding" (print "v" .Chart.AppVersion) (eq .Chart.AppVersion "bleeding") -}}
{{- $appVersionImageTag := printf "alpine-%s" $appVersion -}}
{{- $imageTag := default $appVersionImageTag .Values.image.tag -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.image $imageTag }}
{{- end -}}

{{- define "ci-runner.secret" -}}
{{- default (include "ci-runner.fullname" .) .Values.runners.secret | quote -}}
{{- end -}}

{{- define "ci-runner.unregisterRunners" -}}
{{- if or (and (hasKey .Values "unregisterRunners") .Values.unregisterRunners) (and (not (hasKey .Values "unregisterRunners")) .Values.runnerToken) -}}
lifecycle:
  preStop:
    exec:
      command: ["/entrypoint", "unregister", "--all-runners"]
{{- end -}}
{{- end -}}

{{/*
The runner config.toml: the global settings, then the runners template rendered with tpl,
then the structured extras converted with toToml.
*/}}
{{- define "ci-runner.configToml" -}}
concurrent = {{ .Values.concurrent }}
check_interval = {{ .Values.checkInterval }}
{{- with .Values.logLevel }}
log_level = {{ . | quote }}
{{- end }}
{{- with .Values.logFormat }}
log_format = {{ . | quote }}
{{- end }}
connection_max_age = {{ .Values.connectionMaxAge | quote }}
shutdown_timeout = {{ .Values.shutdown_timeout }}
{{- if .Values.metrics.enabled }}
listen_address = ':{{ .Values.metrics.port }}'
{{- end }}
{{- if .Values.sentryDsn }}
sentry_dsn = "{{ .Values.sentryDsn }}"
{{- end }}
{{- if .Values.sessionServer.enabled }}
[session_server]
  session_timeout = {{ default 1800 .Values.sessionServer.timeout }}
  listen_address = "[::]:{{ default 8093 .Values.sessionServer.internalPort }}"
{{- end }}
{{- with .Values.runners.extra }}
{{ toToml . }}
{{- end }}
{{ tpl .Values.runners.config . }}
{{- end -}}

{{- define "ci-runner.validate" -}}
{{- if not .Values.serverUrl -}}
{{- fail "\n\n############################################################\n###   ERROR: You did not specify the CI server URL        ###\n###   Set serverUrl, e.g. --set serverUrl=https://ci.example.org/ ###\n############################################################" -}}
{{- end -}}
{{- if and (not .Values.runnerToken) (not .Values.runners.secret) -}}
{{- $_ := required "runnerToken or runners.secret is required: the runner cannot register without a token" .Values.runners.secret -}}
{{- end -}}
{{- end -}}
