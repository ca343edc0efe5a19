{{- define "dns-sync.fullname" -}}
{{- printf "%s-dns-sync" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "dns-sync.providerName" -}}
{{- if kindIs "string" .Values.provider -}}
{{ .Values.provider }}
{{- else -}}
{{ .Values.provider.name }}
{{- end -}}
{{- end -}}
