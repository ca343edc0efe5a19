{{/* Expand the name of the chart. */}}
{{- define "app.lib.chart.names.name" -}}
  {{- $globalNameOverride := "" -}}
  {{- if hasKey .Values "global" -}}
    {{- $globalNameOverride = (default $globalNameOverride .Values.global.nameOverride) -}}
  {{- end -}}
  {{- default .Chart.Name (default .Values.nameOverride $globalNameOverride) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Create a default fully qualified app name. */}}
{{- define "app.lib.chart.names.fullname" -}}
  {{- $name := include "app.lib.chart.names.name" . -}}
  {{- $globalFullNameOverride := "" -}}
  {{- if hasKey .Values "global" -}}
    {{- $globalFullNameOverride = (default $globalFullNameOverride .Values.global.fullnameOverride) -}}
  {{- end -}}
  {{- if or .Values.fullnameOverride $globalFullNameOverride -}}
    {{- $name = default .Values.fullnameOverride $globalFullNameOverride -}}
  {{- else -}}
    {{- if contains $name .Release.Name -}}
      {{- $name = .Release.Name -}}
    {{- else -}}
      {{- $name = printf "%s-%s" .Release.Name $name -}}
    {{- end -}}
  {{- end -}}
  {{- trunc 63 $name | trimSuffix "-" -}}
{{- end -}}

{{/*
Name of an object of a given kind: the fullname, with the identifier appended unless it is
the primary one. Keys with characters not allowed in names are cleaned with regexReplaceAll.
*/}}
{{- define "app.lib.object.name" -}}
  {{- $rootContext := .rootContext -}}
  {{- $identifier := regexReplaceAll "[^a-z0-9-]+" (.id | lower) "-" -}}
  {{- $name := include "app.lib.chart.names.fullname" $rootContext -}}
  {{- if and (hasKey .values "nameOverride") .values.nameOverride -}}
    {{- $name = tpl .values.nameOverride $rootContext -}}
  {{- else if not (eq $identifier (.primary | default "main")) -}}
    {{- $name = printf "%s-%s" $name $identifier -}}
  {{- end -}}
  {{- $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
