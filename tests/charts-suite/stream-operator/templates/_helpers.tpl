{{- define "stream-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "stream-operator.labels" -}}
app: {{ .Chart.Name }}
chart: {{ .Chart.Name }}-{{ .Chart.Version }}
release: {{ .Release.Name }}
heritage: {{ .Release.Service }}
{{- end -}}

{{- define "stream-operator.dnsNames" -}}
{{- $svc := printf "%s-%s" (include "stream-operator.fullname" .root) .suffix -}}
{{- $ns := .root.Release.Namespace -}}
{{- toJson (list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns)) -}}
{{- end -}}

{{/*
One CA for the operator, then a serving certificate per endpoint, all made in one place so
that every webhook's caBundle names the same CA.
*/}}
{{- define "stream-operator.pki" -}}
{{- if not (hasKey $ "streamPki") -}}
{{- $days := int .Values.webhooks.certValidity -}}
{{- $ca := genCA (printf "%s-ca" (include "stream-operator.fullname" .)) $days -}}
{{- $pki := dict "ca" $ca.Cert -}}
{{- range $endpoint := list "webhook" "conversion" "metrics" -}}
{{- $dns := include "stream-operator.dnsNames" (dict "root" $ "suffix" $endpoint) | fromJsonArray -}}
{{- $cert := genSignedCert (first $dns) nil $dns $days $ca -}}
{{- $_ := set $pki $endpoint (dict "crt" $cert.Cert "key" $cert.Key) -}}
{{- end -}}
{{- $_ := set $ "streamPki" $pki -}}
{{- end -}}
{{- end -}}
