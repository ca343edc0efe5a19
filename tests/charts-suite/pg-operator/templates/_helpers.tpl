{{- define "pg-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pg-operator.fullname" -}}
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

{{- define "pg-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pg-operator.labels" -}}
helm.sh/chart: {{ include "pg-operator.chart" . }}
{{ include "pg-operator.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "pg-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pg-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pg-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pg-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "pg-operator.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{/*
The webhook serving certificate. Generated once per render and cached on the root
context so the Secret and both webhook configurations share the same CA.
*/}}
{{- define "pg-operator.webhookCerts" -}}
{{- if not (hasKey . "webhookCerts") -}}
{{- $svc := .Values.service.name -}}
{{- $ns := include "pg-operator.namespace" . -}}
{{- $altNames := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) -}}
{{- $ca := genCA (printf "%s-ca" (include "pg-operator.fullname" .)) (int .Values.webhook.certDuration) -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc $ns) nil $altNames (int .Values.webhook.certDuration) $ca -}}
{{- $_ := set . "webhookCerts" (dict "caCert" ($ca.Cert | b64enc) "tlsCert" ($cert.Cert | b64enc) "tlsKey" ($cert.Key | b64enc)) -}}
{{- end -}}
{{- end -}}

{{/*
Rules of the operator ClusterRole, one per resource group.
*/}}
{{- define "pg-operator.rules" -}}
{{- $rules := list
  (dict "apiGroups" (list "") "resources" (list "configmaps" "secrets" "services") "verbs" (list "create" "delete" "get" "list" "patch" "update" "watch"))
  (dict "apiGroups" (list "") "resources" (list "configmaps/status" "secrets/status") "verbs" (list "get" "patch" "update"))
  (dict "apiGroups" (list "") "resources" (list "events") "verbs" (list "create" "patch"))
  (dict "apiGroups" (list "") "resources" (list "nodes") "verbs" (list "get" "list" "watch"))
  (dict "apiGroups" (list "") "resources" (list "persistentvolumeclaims" "pods" "pods/exec") "verbs" (list "create" "delete" "get" "list" "patch" "watch"))
  (dict "apiGroups" (list "") "resources" (list "serviceaccounts") "verbs" (list "create" "get" "list" "patch" "update" "watch"))
  (dict "apiGroups" (list "admissionregistration.k8s.io") "resources" (list "mutatingwebhookconfigurations" "validatingwebhookconfigurations") "verbs" (list "get" "patch"))
  (dict "apiGroups" (list "apps") "resources" (list "deployments") "verbs" (list "create" "delete" "get" "list" "patch" "update" "watch"))
  (dict "apiGroups" (list "batch") "resources" (list "jobs") "verbs" (list "create" "delete" "get" "list" "patch" "watch"))
  (dict "apiGroups" (list "coordination.k8s.io") "resources" (list "leases") "verbs" (list "create" "get" "update"))
  (dict "apiGroups" (list "monitoring.coreos.com") "resources" (list "podmonitors") "verbs" (list "create" "delete" "get" "list" "patch" "watch"))
  (dict "apiGroups" (list "policy") "resources" (list "poddisruptionbudgets") "verbs" (list "create" "delete" "get" "list" "patch" "update" "watch"))
  (dict "apiGroups" (list "rbac.authorization.k8s.io") "resources" (list "rolebindings" "roles") "verbs" (list "create" "get" "list" "patch" "update" "watch"))
-}}
{{- range $kind := list "backups" "clusters" "databases" "imagecatalogs" "poolers" "scheduledbackups" -}}
{{- $rules = append $rules (dict "apiGroups" (list "postgresql.example.org") "resources" (list $kind) "verbs" (list "create" "delete" "get" "list" "patch" "update" "watch")) -}}
{{- $rules = append $rules (dict "apiGroups" (list "postgresql.example.org") "resources" (list (printf "%s/status" $kind)) "verbs" (list "get" "patch" "update" "watch")) -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}
