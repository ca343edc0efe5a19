{{- define "search-engine.uname" -}}
{{- printf "%s-%s" .Values.clusterName .Values.nodeGroup -}}
{{- end -}}
{{- define "search-engine.endpoints" -}}
{{- $replicas := int (toString (.Values.replicas)) }}
{{- $uname := (include "search-engine.uname" .) }}
  {{- range $i, $e := untilStep 0 $replicas 1 -}}
{{ $uname }}-{{ $i }},
  {{- end -}}
{{- end -}}
