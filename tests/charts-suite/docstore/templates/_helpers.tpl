{{- define "docstore.namespace" -}}
{{- coalesce .Values.global.namespaceOverride .Values.namespaceOverride .Release.Namespace -}}
{{- end -}}

{{- define "docstore.serviceName" -}}
{{- if eq .Values.architecture "replicaset" }}
{{- printf "%s-headless" (include "common.names.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- else }}
{{- printf "%s" (include "common.names.fullname" .) -}}
{{- end }}
{{- end -}}

{{- define "docstore.secretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- tpl .Values.auth.existingSecret $ -}}
{{- else -}}
{{- include "common.names.fullname" . -}}
{{- end -}}
{{- end -}}

{{/*
Hosts of the replica set members, comma separated.
*/}}
{{- define "docstore.initialPrimaryHost" -}}
{{- printf "%s-0.%s.%s.svc.%s" (include "common.names.fullname" .) (include "docstore.serviceName" .) (include "docstore.namespace" .) .Values.clusterDomain -}}
{{- end -}}

{{- define "docstore.members" -}}
{{- $members := list -}}
{{- range $i := until (int .Values.replicaCount) -}}
{{- $members = append $members (printf "%s-%d.%s.%s.svc.%s:%d" (include "common.names.fullname" $) $i (include "docstore.serviceName" $) (include "docstore.namespace" $) $.Values.clusterDomain (int $.Values.service.ports.docstore)) -}}
{{- end -}}
{{- join "," $members -}}
{{- end -}}

{{- define "docstore.customUsers" -}}
{{- $usernames := .Values.auth.usernames -}}
{{- $passwords := .Values.auth.passwords -}}
{{- $databases := .Values.auth.databases -}}
{{- if and (not (empty $usernames)) (ne (len $usernames) (len $passwords)) -}}
{{- fail (printf "docstore: auth.usernames has %d entries but auth.passwords has %d; they must match" (len $usernames) (len $passwords)) -}}
{{- end -}}
{{- if and (not (empty $usernames)) (ne (len $usernames) (len $databases)) -}}
{{- fail (printf "docstore: auth.usernames has %d entries but auth.databases has %d; they must match" (len $usernames) (len $databases)) -}}
{{- end -}}
{{- end -}}

{{- define "docstore.validateValues.architecture" -}}
{{- if not (has .Values.architecture (list "standalone" "replicaset")) -}}
docstore: architecture
    Invalid architecture selected. Valid values are "standalone" and
    "replicaset". Please set a valid architecture (--set architecture="xxxx")
{{- end -}}
{{- end -}}

{{- define "docstore.validateValues" -}}
{{- $messages := list -}}
{{- $messages = append $messages (include "docstore.validateValues.architecture" .) -}}
{{- $messages = without $messages "" -}}
{{- $message := join "\n" $messages -}}
{{- if $message -}}
{{-   printf "\nVALUES VALIDATION:\n%s" $message | fail -}}
{{- end -}}
{{- end -}}
