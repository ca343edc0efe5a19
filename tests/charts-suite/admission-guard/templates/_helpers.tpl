{{/*
Expand the name of the chart.
*/}}
{{- define "admission-guard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, truncated to 63 characters.
*/}}
{{- define "admission-guard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "admission-guard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "admission-guard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "admission-guard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "admission-guard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "admission-guard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "admission-guard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "admission-guard.serviceName" -}}
{{- printf "%s-webhook" (include "admission-guard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The webhook's CA and serving certificate, generated once per render and kept on the root
context so that the Secret and both webhook configurations see the same CA.
*/}}
{{- define "admission-guard.certs" -}}
{{- if not (hasKey $ "guardCerts") -}}
{{- $svc := include "admission-guard.serviceName" . -}}
{{- $ns := .Release.Namespace -}}
{{- $altNames := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) -}}
{{- $ca := genCA (printf "%s-ca" (include "admission-guard.fullname" .)) (int .Values.webhook.certValidityDays) -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc $ns) nil $altNames (int .Values.webhook.certValidityDays) $ca -}}
{{- $_ := set $ "guardCerts" (dict "ca" ($ca.Cert | b64enc) "crt" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc)) -}}
{{- end -}}
{{- toYaml $.guardCerts -}}
{{- end -}}

{{- define "admission-guard.clientConfig" -}}
{{- $root := .root -}}
service:
  name: {{ include "admission-guard.serviceName" $root }}
  namespace: {{ $root.Release.Namespace }}
  path: {{ .path }}
  port: 443
{{- if not $root.Values.webhook.certManager.enabled }}
caBundle: {{ (include "admission-guard.certs" $root | fromYaml).ca }}
{{- end }}
{{- end -}}
