{{- define "hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hub.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hub.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "hub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hub.secretName" -}}
{{- if .Values.admin.existingSecret }}
{{- tpl .Values.admin.existingSecret . }}
{{- else }}
{{- include "hub.fullname" . }}
{{- end }}
{{- end }}

{{/*
Looks up the admin password of an existing release so upgrades keep it.
*/}}
{{- define "hub.password" -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (include "hub.fullname" .) }}
{{- if and $secret $secret.data }}
{{- index $secret.data "admin-password" }}
{{- else }}
{{- (randAlphaNum 40) | b64enc | quote }}
{{- end }}
{{- end }}

{{/*
hub.ini: top-level keys first, then a [section] per map.
*/}}
{{- define "hub.ini" -}}
{{- $root := . -}}
{{- range $key, $value := index .Values "hub.ini" }}
{{- if not (kindIs "map" $value) }}
{{ $key }} = {{ tpl (toString $value) $root }}
{{- end }}
{{- end }}
{{- range $key, $value := index .Values "hub.ini" }}
{{- if kindIs "map" $value }}
[{{ $key }}]
{{- range $elem, $elemVal := $value }}
{{- if kindIs "invalid" $elemVal }}
{{ $elem }} =
{{- else if kindIs "string" $elemVal }}
{{ $elem }} = {{ tpl $elemVal $root }}
{{- else }}
{{ $elem }} = {{ $elemVal }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
