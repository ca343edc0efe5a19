{{- define "status-page.components" -}}
{{- range .Values.components }}
- name: {{ .name }}
  url: {{ .url }}
{{- end }
{{- end -}}
