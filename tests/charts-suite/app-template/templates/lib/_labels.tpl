{{- define "app.lib.metadata.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.lib.chart.names.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "app.lib.metadata.allLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "app.lib.metadata.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.global.labels }}
  {{- range $k, $v := . }}
    {{- $name := $k }}
    {{- $value := tpl $v $ }}
{{ $name }}: {{ quote $value }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
Merge labels of an object over the global ones, rendering values with tpl. Returns YAML.
Usage: include "app.lib.metadata.merge" (dict "rootContext" $ "extra" $labels)
*/}}
{{- define "app.lib.metadata.merge" -}}
  {{- $result := include "app.lib.metadata.allLabels" .rootContext | fromYaml -}}
  {{- range $k, $v := (.extra | default dict) -}}
    {{- $_ := set $result $k (tpl (toString $v) $.rootContext) -}}
  {{- end -}}
  {{- if $result -}}
    {{- toYaml $result -}}
  {{- end -}}
{{- end -}}
