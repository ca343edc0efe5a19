{{/*
Return the proper keystore image name
*/}}
{{- define "keystore.image" -}}
{{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
{{- end -}}

{{- define "keystore.sentinel.image" -}}
{{ include "common.images.image" (dict "imageRoot" .Values.sentinel.image "global" .Values.global) }}
{{- end -}}

{{- define "keystore.secretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- printf "%s" (tpl .Values.auth.existingSecret $) -}}
{{- else -}}
{{- printf "%s" (include "common.names.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "keystore.secretPasswordKey" -}}
{{- if and .Values.auth.existingSecret .Values.auth.existingSecretPasswordKey -}}
{{- printf "%s" (tpl .Values.auth.existingSecretPasswordKey $) -}}
{{- else -}}
{{- printf "keystore-password" -}}
{{- end -}}
{{- end -}}

{{- define "keystore.password" -}}
{{- if not (empty .Values.global.keystore.password) }}
    {{- .Values.global.keystore.password -}}
{{- else if not (empty .Values.auth.password) -}}
    {{- .Values.auth.password -}}
{{- else -}}
    {{- include "common.secrets.passwords.manage" (dict "secret" (include "keystore.secretName" .) "key" (include "keystore.secretPasswordKey" .) "providedValues" (list "global.keystore.password" "auth.password") "length" 10 "skipB64enc" true "skipQuote" true "context" $) -}}
{{- end }}
{{- end }}

{{- define "keystore.createSecret" -}}
{{- if and .Values.auth.enabled (not .Values.auth.existingSecret) -}}
    {{- true -}}
{{- end -}}
{{- end -}}

{{- define "keystore.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
    {{ default (include "common.names.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
    {{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* The disabled commands as rename-command lines. */}}
{{- define "keystore.disableCommands" -}}
{{- range . }}
rename-command {{ . }} ""
{{- end }}
{{- end -}}

{{- define "keystore.validateValues" -}}
{{- include "common.validations.values.enum" (dict "valueKey" "architecture" "allowed" (list "standalone" "replication") "context" $) -}}
{{- if and .Values.sentinel.enabled (ne .Values.architecture "replication") -}}
{{- fail "\nVALUES VALIDATION:\nkeystore: sentinel\n    Using sentinel requires architecture=replication" -}}
{{- end -}}
{{- end -}}
