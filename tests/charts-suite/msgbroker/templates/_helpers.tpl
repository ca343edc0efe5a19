{{- define "msgbroker.image" -}}
{{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
{{- end -}}

{{- define "msgbroker.secretPasswordName" -}}
{{- if .Values.auth.existingPasswordSecret -}}
{{- printf "%s" (tpl .Values.auth.existingPasswordSecret $) -}}
{{- else -}}
{{- printf "%s" (include "common.names.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "msgbroker.secretErlangName" -}}
{{- if .Values.auth.existingErlangSecret -}}
{{- printf "%s" (tpl .Values.auth.existingErlangSecret $) -}}
{{- else -}}
{{- printf "%s" (include "common.names.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Plugins to enable: the lists joined, duplicates removed, in a stable order.
*/}}
{{- define "msgbroker.plugins" -}}
{{- $plugins := .Values.plugins -}}
{{- if .Values.extraPlugins -}}
{{- $plugins = printf "%s %s" $plugins .Values.extraPlugins -}}
{{- end -}}
{{- if .Values.metrics.enabled -}}
{{- $plugins = printf "%s %s" $plugins "broker_prometheus" -}}
{{- end -}}
{{- $list := splitList " " $plugins | compact | uniq -}}
{{- join ", " $list -}}
{{- end -}}

{{/*
Convert a Kubernetes memory quantity (Mi, Gi, M, G) to bytes.
*/}}
{{- define "msgbroker.toBytes" -}}
{{- $value := toString . -}}
{{- $num := regexFind "^[0-9.]+" $value | float64 -}}
{{- $unit := regexReplaceAll "^[0-9.]+" $value "" -}}
{{- $factors := dict "" 1.0 "k" 1000.0 "Ki" 1024.0 "M" 1000000.0 "Mi" 1048576.0 "G" 1000000000.0 "Gi" 1073741824.0 -}}
{{- if not (hasKey $factors $unit) -}}
{{- fail (printf "memory %q: unknown unit %q (use k, Ki, M, Mi, G or Gi)" $value $unit) -}}
{{- end -}}
{{- mulf $num (get $factors $unit) | int64 -}}
{{- end -}}

{{- define "msgbroker.validateValues" -}}
{{- if and .Values.memoryHighWatermark.enabled (not (dig "limits" "memory" "" .Values.resources)) -}}
{{- fail "msgbroker: memoryHighWatermark.enabled needs resources.limits.memory" -}}
{{- end -}}
{{- end -}}
