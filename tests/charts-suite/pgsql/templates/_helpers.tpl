{{/* vim: set filetype=mustache: */}}

{{- define "pgsql.v1.primary.fullname" -}}
{{- if eq .Values.architecture "replication" -}}
{{- printf "%s-%s" (include "common.names.fullname" .) .Values.primary.name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "common.names.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.readReplica.fullname" -}}
{{- printf "%s-%s" (include "common.names.fullname" .) .Values.readReplicas.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pgsql.v1.primary.svc.headless" -}}
{{- printf "%s-hl" (include "pgsql.v1.primary.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pgsql.v1.image" -}}
{{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
{{- end -}}

{{- define "pgsql.v1.metrics.image" -}}
{{ include "common.images.image" (dict "imageRoot" .Values.metrics.image "global" .Values.global) }}
{{- end -}}

{{- define "pgsql.v1.imagePullSecrets" -}}
{{ include "common.images.renderPullSecrets" (dict "images" (list .Values.image .Values.metrics.image) "context" $) }}
{{- end -}}

{{/* Global values win over the chart's own. */}}
{{- define "pgsql.v1.username" -}}
{{- if and (.Values.global.postgresql.auth) (.Values.global.postgresql.auth.username) -}}
    {{- .Values.global.postgresql.auth.username -}}
{{- else -}}
    {{- .Values.auth.username -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.database" -}}
{{- if .Values.global.postgresql.auth.database -}}
    {{- printf "%s" (tpl .Values.global.postgresql.auth.database $) -}}
{{- else if .Values.auth.database -}}
    {{- printf "%s" (tpl .Values.auth.database $) -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.secretName" -}}
{{- if .Values.global.postgresql.auth.existingSecret -}}
    {{- printf "%s" (tpl .Values.global.postgresql.auth.existingSecret $) -}}
{{- else if .Values.auth.existingSecret -}}
    {{- printf "%s" (tpl .Values.auth.existingSecret $) -}}
{{- else -}}
    {{- printf "%s" (include "common.names.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.adminPasswordKey" -}}
{{- if or .Values.global.postgresql.auth.existingSecret .Values.auth.existingSecret -}}
    {{- printf "%s" (tpl .Values.auth.secretKeys.adminPasswordKey $) -}}
{{- else -}}
    {{- "postgres-password" -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.userPasswordKey" -}}
{{- if or .Values.global.postgresql.auth.existingSecret .Values.auth.existingSecret -}}
    {{- if or (empty (include "pgsql.v1.username" .)) (eq (include "pgsql.v1.username" .) "postgres") -}}
        {{- printf "%s" (tpl .Values.auth.secretKeys.adminPasswordKey $) -}}
    {{- else -}}
        {{- printf "%s" (tpl .Values.auth.secretKeys.userPasswordKey $) -}}
    {{- end -}}
{{- else -}}
    {{- ternary "password" "postgres-password" (and (not (empty (include "pgsql.v1.username" .))) (ne (include "pgsql.v1.username" .) "postgres")) -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.createSecret" -}}
{{- if not (or .Values.global.postgresql.auth.existingSecret .Values.auth.existingSecret) -}}
    {{- true -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.configuration" -}}
{{- if .Values.configuration -}}
{{- tpl .Values.configuration . -}}
{{- else -}}
{{- range $path, $_ := .Files.Glob "files/conf.d/*.conf" }}
{{ $.Files.Get $path }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
    {{ default (include "common.names.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
    {{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* Fails early on unsupported combinations. */}}
{{- define "pgsql.v1.validateValues" -}}
{{- $messages := list -}}
{{- $messages := append $messages (include "pgsql.v1.validateValues.architecture" .) -}}
{{- $messages := without $messages "" -}}
{{- $message := join "\n" $messages -}}
{{- if $message -}}
{{-   printf "\nVALUES VALIDATION:\n%s" $message | fail -}}
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.validateValues.architecture" -}}
{{- if not (has .Values.architecture (list "standalone" "replication")) -}}
pgsql: architecture
    Invalid architecture "{{ .Values.architecture }}". Valid values are "standalone" and "replication".
{{- end -}}
{{- end -}}

{{- define "pgsql.v1.service.port" -}}
{{- .Values.primary.service.ports.postgresql -}}
{{- end -}}
