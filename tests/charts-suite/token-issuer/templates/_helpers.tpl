{{- define "token-issuer.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "token-issuer.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
A PEM private key for a JWS algorithm name.
*/}}
{{- define "token-issuer.signingKey" -}}
{{- $alg := . -}}
{{- if hasPrefix "RS" $alg -}}
{{- genPrivateKey "rsa" -}}
{{- else if hasPrefix "ES" $alg -}}
{{- genPrivateKey "ecdsa" -}}
{{- else if eq $alg "EdDSA" -}}
{{- genPrivateKey "ed25519" -}}
{{- else -}}
{{- fail (printf "jwt.algorithm %q is not one of RS256, RS384, RS512, ES256, EdDSA" $alg) -}}
{{- end -}}
{{- end -}}
