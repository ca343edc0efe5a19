{{/*
Storefront helpers on top of the common library chart.
*/}}
{{- define "storefront.fullname" -}}
{{- include "common.names.fullname" . -}}
{{- end -}}

{{- define "storefront.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- printf "%s/%s:%s" .Values.global.imageRegistry .Values.image.repository $tag -}}
{{- end -}}
