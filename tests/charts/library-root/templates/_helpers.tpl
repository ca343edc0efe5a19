{{- define "library-root.name" -}}x{{- end -}}
