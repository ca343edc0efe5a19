{{- define "mydb.primary.fullname" -}}
{{- if eq .Values.architecture "replication" }}
{{- printf "%s-primary" (include "common.names.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "common.names.fullname" . -}}
{{- end -}}
{{- end -}}
