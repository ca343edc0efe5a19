{{- define "pc.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "pc.labels" -}}
{{- $base := dict "app.kubernetes.io/name" .Chart.Name "app.kubernetes.io/instance" .Release.Name -}}
{{- toYaml (merge $base .Values.labels) -}}
{{- end -}}
{{- /* A profile rendered as key=value lines, sorted, with Go's %v formatting of each value. */ -}}
{{- define "pc.profile" -}}
{{- range $k := keys . | sortAlpha }}
{{ $k }}={{ get $ $k }}
{{- end }}
{{- end -}}
