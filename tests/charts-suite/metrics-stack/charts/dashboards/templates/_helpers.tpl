{{- define "dashboards.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{/* ini format: root keys first, then one [section] per map */}}
{{- define "dashboards.ini" -}}
{{- range $key, $value := .Values.grafanaIni }}
{{- if not (kindIs "map" $value) }}
{{ $key }} = {{ $value }}
{{- end }}
{{- end }}
{{- range $section, $settings := .Values.grafanaIni }}
{{- if kindIs "map" $settings }}
[{{ $section }}]
{{- range $elem, $val := $settings }}
{{- if kindIs "invalid" $val }}
{{ $elem }} =
{{- else if kindIs "string" $val }}
{{ $elem }} = {{ tpl $val $ }}
{{- else }}
{{ $elem }} = {{ $val }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
{{- define "dashboards.password" -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (include "dashboards.fullname" .) -}}
{{- if and $secret $secret.data (index $secret.data "admin-password") -}}
{{- index $secret.data "admin-password" -}}
{{- else -}}
{{- randAlphaNum 40 | b64enc -}}
{{- end -}}
{{- end -}}
