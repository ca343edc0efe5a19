{{- define "log-store.name" -}}
{{- $default := "loki" }}
{{- coalesce .Values.nameOverride $default | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "log-store.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "log-store.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "log-store.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "log-store.selectorLabels" . }}
{{- if or (.Chart.AppVersion) (.Values.loki.image.tag) }}
app.kubernetes.io/version: {{ include "log-store.validLabelValue" (.Values.loki.image.tag | default .Chart.AppVersion) | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "log-store.selectorLabels" -}}
app.kubernetes.io/name: {{ include "log-store.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Label values may only contain [a-zA-Z0-9._-] and be 63 characters long. */}}
{{- define "log-store.validLabelValue" -}}
{{- (regexReplaceAllLiteral "[^a-zA-Z0-9._-]" . "_") | trunc 63 | trimSuffix "-" | trimSuffix "_" | trimSuffix "." -}}
{{- end -}}

{{- define "log-store.memberlist" -}}
{{- printf "%s-memberlist" (include "log-store.fullname" .) -}}
{{- end -}}

{{- define "log-store.compactorAddress" -}}
{{- printf "http://%s:%v" (include "log-store.fullname" .) .Values.loki.server.http_listen_port -}}
{{- end -}}

{{- define "log-store.commonStorageConfig" -}}
{{- if eq .Values.loki.storage.type "s3" -}}
{{- with .Values.loki.storage.s3 }}
s3:
  {{- with .s3 }}
  s3: {{ . }}
  {{- end }}
  {{- with .endpoint }}
  endpoint: {{ . }}
  {{- end }}
  {{- with .region }}
  region: {{ . }}
  {{- end}}
  bucketnames: {{ $.Values.loki.storage.bucketNames.chunks }}
  s3forcepathstyle: {{ .s3ForcePathStyle }}
  insecure: {{ .insecure }}
{{- end -}}
{{- else if eq .Values.loki.storage.type "filesystem" -}}
{{- with .Values.loki.storage.filesystem }}
filesystem:
  chunks_directory: {{ .chunks_directory }}
  rules_directory: {{ .rules_directory }}
{{- end -}}
{{- else -}}
{{- fail (printf "loki.storage.type %q is not supported: use s3 or filesystem" .Values.loki.storage.type) -}}
{{- end -}}
{{- end -}}

{{/*
The final config: the tpl'd config with structuredConfig merged over it.
*/}}
{{- define "log-store.calculatedConfig" -}}
{{- if .Values.loki.structuredConfig }}
{{- tpl (mergeOverwrite (tpl .Values.loki.config . | fromYaml) .Values.loki.structuredConfig | toYaml) . }}
{{- else }}
{{- tpl .Values.loki.config . }}
{{- end }}
{{- end }}

{{- define "log-store.isSingleBinary" -}}
{{- $replicas := int .Values.singleBinary.replicas -}}
{{- eq .Values.deploymentMode "SingleBinary" | or (gt $replicas 0) -}}
{{- end -}}
