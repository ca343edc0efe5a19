{{- define "gw.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "gw.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{/*
Environment variables from .Values.env: GATEWAY_ prefix, upper case; customEnv without prefix.
*/}}
{{- define "gw.env" -}}
{{- $env := dict -}}
{{- range $k, $v := .Values.env -}}
{{- $_ := set $env (printf "GATEWAY_%s" ($k | upper)) (toString $v) -}}
{{- end -}}
{{- range $k, $v := .Values.customEnv -}}
{{- $_ := set $env ($k | upper) (toString $v) -}}
{{- end -}}
{{- if not (hasKey $env "GATEWAY_ADMIN_LISTEN") -}}
{{- $listen := ternary (printf "0.0.0.0:%d" (int .Values.admin.http.containerPort)) "off" .Values.admin.enabled -}}
{{- $_ := set $env "GATEWAY_ADMIN_LISTEN" $listen -}}
{{- end -}}
{{- range $k := keys $env | sortAlpha }}
- name: {{ $k }}
  value: {{ get $env $k | quote }}
{{- end -}}
{{- end -}}
