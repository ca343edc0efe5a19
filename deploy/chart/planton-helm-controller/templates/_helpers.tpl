{{/* The chart's name, overridable. */}}
{{- define "phc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The full name: the release name when it already contains the chart's name. */}}
{{- define "phc.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "phc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "phc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "phc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "phc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "phc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "phc.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "phc.webhookService" -}}
{{- printf "%s-webhook" (include "phc.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret holding the webhook's serving certificate (tls.crt, tls.key). */}}
{{- define "phc.certSecret" -}}
{{- if eq .Values.webhook.certificate.mode "secret" -}}
{{- required "webhook.certificate.secretName is required with mode secret" .Values.webhook.certificate.secretName -}}
{{- else -}}
{{- printf "%s-webhook-tls" (include "phc.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "phc.policyConfigMap" -}}
{{- default (printf "%s-policies" (include "phc.fullname" .)) .Values.policies.configMap.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The DNS names of the webhook Service, for its certificate. */}}
{{- define "phc.webhookDNSNames" -}}
{{- $svc := include "phc.webhookService" . -}}
- {{ $svc }}
- {{ $svc }}.{{ .Release.Namespace }}
- {{ $svc }}.{{ .Release.Namespace }}.svc
- {{ $svc }}.{{ .Release.Namespace }}.svc.cluster.local
{{- end -}}
