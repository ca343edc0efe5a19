{{/*
Expand the name of the chart.
*/}}
{{- define "vaultkeeper.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Create a default fully qualified app name. Truncated at 63 chars because some
Kubernetes name fields are limited to this (by the DNS naming spec).
*/}}
{{- define "vaultkeeper.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "vaultkeeper.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Compute the mode the server runs in: dev, standalone, ha or external. The result
is stored in .mode of the root context so every template agrees.
*/}}
{{- define "vaultkeeper.mode" -}}
  {{- template "vaultkeeper.serverEnabled" . -}}
  {{- if .serverEnabled -}}
    {{- if eq (.Values.server.dev.enabled | toString) "true" -}}
      {{- $_ := set . "mode" "dev" -}}
    {{- else if eq (.Values.server.ha.enabled | toString) "true" -}}
      {{- $_ := set . "mode" "ha" -}}
    {{- else if or (eq (.Values.server.standalone.enabled | toString) "true") (eq (.Values.server.standalone.enabled | toString) "-") -}}
      {{- $_ := set . "mode" "standalone" -}}
    {{- else -}}
      {{- $_ := set . "mode" "" -}}
    {{- end -}}
  {{- else -}}
    {{- $_ := set . "mode" "external" -}}
  {{- end -}}
{{- end -}}

{{- define "vaultkeeper.serverEnabled" -}}
{{- $_ := set . "serverEnabled" (or (eq (.Values.server.enabled | toString) "true") (and (eq (.Values.server.enabled | toString) "-") (eq (.Values.global.enabled | toString) "true"))) -}}
{{- end -}}

{{- define "vaultkeeper.injectorEnabled" -}}
{{- $_ := set . "injectorEnabled" (or (eq (.Values.injector.enabled | toString) "true") (and (eq (.Values.injector.enabled | toString) "-") (eq (.Values.global.enabled | toString) "true"))) -}}
{{- end -}}

{{- define "vaultkeeper.serverServiceEnabled" -}}
{{- template "vaultkeeper.serverEnabled" . -}}
{{- $_ := set . "serverServiceEnabled" (and .serverEnabled (eq (.Values.server.service.enabled | toString) "true")) -}}
{{- end -}}

{{/*
Replicas: 1 except in HA mode.
*/}}
{{- define "vaultkeeper.replicas" -}}
{{ if eq .mode "ha" }}
{{- .Values.server.ha.replicas | default 3 -}}
{{ else }}
{{- default 1 -}}
{{ end }}
{{- end -}}

{{- define "vaultkeeper.scheme" -}}
{{- if .Values.global.tlsDisable -}}http{{- else -}}https{{- end -}}
{{- end -}}

{{/*
The server's configuration: a string is rendered with tpl, a map is written as JSON.
Placeholders for addresses known only at run time are replaced by the start script.
*/}}
{{- define "vaultkeeper.config" -}}
  {{- if or (eq .mode "ha") (eq .mode "standalone") }}
  {{- $config := index .Values.server .mode "config" }}
  {{- if and (eq .mode "ha") .Values.server.ha.raft.enabled }}
  {{- $config = .Values.server.ha.raft.config }}
  {{- end }}
  {{- $type := typeOf $config }}
  {{- if eq $type "string" }}
  extraconfig-from-values.hcl: |-
    {{ tpl $config . | nindent 4 | trim }}
    {{- if not (contains "disable_mlock" $config) }}
    disable_mlock = true
    {{- end }}
  {{- else if eq $type "map[string]interface {}" }}
  extraconfig-from-values.json: |-
    {{- $config = merge $config (dict "disable_mlock" true) }}
    {{- toPrettyJson $config | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end -}}

{{- define "vaultkeeper.affinity" -}}
  {{- if and (ne .mode "dev") .Values.server.affinity }}
      affinity:
        {{ $tp := typeOf .Values.server.affinity }}
        {{- if eq $tp "string" }}
          {{- tpl .Values.server.affinity . | nindent 8 | trim }}
        {{- else }}
          {{- toYaml .Values.server.affinity | nindent 8 }}
        {{- end }}
  {{ end }}
{{- end -}}

{{- define "vaultkeeper.tolerations" -}}
  {{- if and (ne .mode "dev") .Values.server.tolerations }}
      tolerations:
      {{- $tp := typeOf .Values.server.tolerations }}
      {{- if eq $tp "string" }}
        {{ tpl .Values.server.tolerations . | nindent 8 | trim }}
      {{- else }}
        {{- toYaml .Values.server.tolerations | nindent 8 }}
      {{- end }}
  {{- end }}
{{- end -}}

{{- define "vaultkeeper.volumeclaims" -}}
  {{- if and (ne .mode "dev") (or .Values.server.dataStorage.enabled .Values.server.auditStorage.enabled) }}
  volumeClaimTemplates:
      {{- if and (eq (.Values.server.dataStorage.enabled | toString) "true") (or (eq .mode "standalone") (eq (.Values.server.ha.raft.enabled | toString ) "true" )) }}
    - metadata:
        name: data
        {{- include "vaultkeeper.dataVolumeClaim.annotations" . | nindent 6 }}
      spec:
        accessModes:
          - {{ .Values.server.dataStorage.accessMode | default "ReadWriteOnce" }}
        resources:
          requests:
            storage: {{ .Values.server.dataStorage.size }}
          {{- if .Values.server.dataStorage.storageClass }}
        storageClassName: {{ .Values.server.dataStorage.storageClass }}
          {{- end }}
      {{ end }}
      {{- if eq (.Values.server.auditStorage.enabled | toString) "true" }}
    - metadata:
        name: audit
      spec:
        accessModes:
          - {{ .Values.server.auditStorage.accessMode | default "ReadWriteOnce" }}
        resources:
          requests:
            storage: {{ .Values.server.auditStorage.size }}
      {{ end }}
  {{ end }}
{{- end -}}

{{- define "vaultkeeper.dataVolumeClaim.annotations" -}}
  {{- if and (ne .mode "dev") (.Values.server.dataStorage.enabled) (.Values.server.dataStorage.annotations) }}
  annotations:
    {{- $tp := typeOf .Values.server.dataStorage.annotations }}
    {{- if eq $tp "string" }}
      {{- tpl .Values.server.dataStorage.annotations . | nindent 4 }}
    {{- else }}
      {{- toYaml .Values.server.dataStorage.annotations | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end -}}

{{- define "vaultkeeper.pdb.apiVersion" -}}
{{- if .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget" -}}
policy/v1
{{- else -}}
policy/v1beta1
{{- end -}}
{{- end -}}

{{- define "vaultkeeper.ingress.supportsPathType" -}}
{{- semverCompare ">=1.18-0" .Capabilities.KubeVersion.Version -}}
{{- end -}}

{{- define "injector.webhookAnnotations" -}}
{{- if .Values.injector.webhook.annotations }}
  annotations:
    {{- $tp := typeOf .Values.injector.webhook.annotations }}
    {{- if eq $tp "string" }}
      {{- tpl .Values.injector.webhook.annotations . | nindent 4 }}
    {{- else }}
      {{- toYaml .Values.injector.webhook.annotations | nindent 4 }}
    {{- end }}
{{- end }}
{{- end -}}
