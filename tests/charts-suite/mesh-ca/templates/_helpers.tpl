{{- define "mesh-ca.labels" -}}
app.kubernetes.io/part-of: mesh
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
mesh.example.org/rev: {{ .Chart.AppVersion | replace "." "-" }}
{{- end -}}

{{/*
The root CA: the user's, or one generated with an ECDSA key.
*/}}
{{- define "mesh-ca.root" -}}
{{- if not (hasKey $ "meshRoot") -}}
{{- $root := dict -}}
{{- if .Values.ca.existingRoot.cert -}}
{{- $root = buildCustomCert .Values.ca.existingRoot.cert .Values.ca.existingRoot.key -}}
{{- else -}}
{{- $key := genPrivateKey .Values.ca.keyType -}}
{{- $root = genCAWithKey (printf "%s root CA" .Values.global.meshID) (int .Values.ca.rootValidityDays) $key -}}
{{- end -}}
{{- $_ := set $ "meshRoot" $root -}}
{{- end -}}
{{- end -}}

{{- define "mesh-ca.workloadCert" -}}
{{- $root := .root -}}
{{- include "mesh-ca.root" $root -}}
{{- $key := genPrivateKey "ed25519" -}}
{{- $cert := genSignedCertWithKey .cn .ips .hosts (int $root.Values.ca.workloadValidityDays) $root.meshRoot $key -}}
tls.crt: {{ $cert.Cert | b64enc }}
tls.key: {{ $cert.Key | b64enc }}
ca.crt: {{ $root.meshRoot.Cert | b64enc }}
{{- end -}}
