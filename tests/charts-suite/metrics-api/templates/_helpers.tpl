{{- define "metrics-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "metrics-api.fullname" -}}
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
{{- define "metrics-api.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "metrics-api.labels" -}}
helm.sh/chart: {{ include "metrics-api.chart" . }}
{{ include "metrics-api.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if .Values.commonLabels }}
{{ toYaml .Values.commonLabels }}
{{- end }}
{{- end }}
{{- define "metrics-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "metrics-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "metrics-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "metrics-api.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
{{- define "metrics-api.image" -}}
{{- printf "%s:%s" .Values.image.repository (default (printf "v%s" .Chart.AppVersion) (toString .Values.image.tag)) }}
{{- end }}
{{- define "metrics-api.addonResizer.image" -}}
{{- printf "%s:%s" .Values.addonResizer.image.repository .Values.addonResizer.image.tag }}
{{- end }}
{{/* Arguments of the container: the defaults plus args, the port, and the TLS files. */}}
{{- define "metrics-api.args" -}}
{{- $args := concat .Values.defaultArgs .Values.args -}}
{{- $args = append $args (printf "--secure-port=%d" (int .Values.containerPort)) -}}
{{- if .Values.metrics.enabled -}}
{{- $args = append $args "--authorization-always-allow-paths=/metrics" -}}
{{- end -}}
{{- if ne .Values.tls.type "metrics-server" -}}
{{- $args = append $args "--tls-cert-file=/tmp/tls-certs/tls.crt" -}}
{{- $args = append $args "--tls-private-key-file=/tmp/tls-certs/tls.key" -}}
{{- end -}}
{{- toYaml $args -}}
{{- end }}
{{- define "metrics-api.apiService.caBundle" -}}
{{- if eq .Values.tls.type "helm" -}}
{{- $certs := include "metrics-api.tls.certs" . | fromYaml -}}
{{- $certs.caCert -}}
{{- else -}}
{{- .Values.apiService.caBundle | b64enc -}}
{{- end -}}
{{- end }}
{{/* Self-signed certificates made once per render (tls.type=helm). */}}
{{- define "metrics-api.tls.certs" -}}
{{- if not (hasKey .Values.tls "generated") -}}
{{- $svc := include "metrics-api.fullname" . -}}
{{- $altNames := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.%s" $svc .Release.Namespace .Values.tls.clusterDomain) -}}
{{- $ca := genCA "metrics-api-ca" 365 -}}
{{- $cert := genSignedCert $svc nil $altNames 365 $ca -}}
{{- $_ := set .Values.tls "generated" (dict "caCert" ($ca.Cert | b64enc) "cert" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc)) -}}
{{- end -}}
{{- toYaml .Values.tls.generated -}}
{{- end }}
