{{/* vim: set filetype=mustache: */}}
{{/*
Expand the name of the chart.
*/}}
{{- define "objstore.name" -}}
  {{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "objstore.fullname" -}}
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

{{- define "objstore.chart" -}}
  {{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "objstore.networkPolicy.apiVersion" -}}
  {{- if semverCompare ">=1.4-0, <1.7-0" .Capabilities.KubeVersion.Version -}}
    {{- print "extensions/v1beta1" -}}
  {{- else if semverCompare ">=1.7-0" .Capabilities.KubeVersion.Version -}}
    {{- print "networking.k8s.io/v1" -}}
  {{- end -}}
{{- end -}}

{{- define "objstore.deployment.apiVersion" -}}
  {{- if semverCompare "<1.9-0" .Capabilities.KubeVersion.Version -}}
    {{- print "apps/v1beta2" -}}
  {{- else -}}
    {{- print "apps/v1" -}}
  {{- end -}}
{{- end -}}

{{- define "objstore.ingress.apiVersion" -}}
  {{- if semverCompare "<1.14-0" .Capabilities.KubeVersion.GitVersion -}}
    {{- print "extensions/v1beta1" -}}
  {{- else if semverCompare "<1.19-0" .Capabilities.KubeVersion.GitVersion -}}
    {{- print "networking.k8s.io/v1beta1" -}}
  {{- else -}}
    {{- print "networking.k8s.io/v1" -}}
  {{- end -}}
{{- end -}}

{{- define "objstore.pdb.apiVersion" -}}
  {{- if semverCompare "<1.21-0" .Capabilities.KubeVersion.Version -}}
    {{- print "policy/v1beta1" -}}
  {{- else -}}
    {{- print "policy/v1" -}}
  {{- end -}}
{{- end -}}

{{- define "objstore.secretName" -}}
  {{- if .Values.existingSecret -}}
    {{- .Values.existingSecret }}
  {{- else -}}
    {{- include "objstore.fullname" . -}}
  {{- end -}}
{{- end -}}

{{- define "objstore.serviceAccountName" -}}
  {{- if .Values.serviceAccount.create -}}
    {{- default (include "objstore.fullname" .) .Values.serviceAccount.name -}}
  {{- else -}}
    {{- default "default" .Values.serviceAccount.name -}}
  {{- end -}}
{{- end -}}

{{- define "objstore.imagePullSecrets" -}}
{{- if .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range .Values.imagePullSecrets }}
  - name: {{ . }}
  {{- end }}
{{- end -}}
{{- end -}}

{{/*
Formats volumeMount for the server container, local or distributed.
*/}}
{{- define "objstore.volumeMounts" -}}
{{- if and .Values.persistence.enabled (eq .Values.mode "standalone") }}
- name: export
  mountPath: {{ .Values.mountPath }}
  {{- if .Values.persistence.subPath }}
  subPath: "{{ .Values.persistence.subPath }}"
  {{- end }}
{{- else if eq .Values.mode "distributed" }}
{{- if eq (int .Values.drivesPerNode) 1 }}
- name: export
  mountPath: {{ .Values.mountPath }}
{{- else }}
{{- range $i := until (int .Values.drivesPerNode) }}
- name: export-{{ $i }}
  mountPath: {{ $.Values.mountPath }}-{{ $i }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "objstore.getProtocol" -}}
  {{- if .Values.tls.enabled -}}https{{- else -}}http{{- end -}}
{{- end -}}

{{/*
The server arguments for distributed mode: every pool as an ellipsis expression.
*/}}
{{- define "objstore.distributedArgs" -}}
{{- $fullname := include "objstore.fullname" . -}}
{{- $nodeCount := .Values.replicas | int -}}
{{- $drives := .Values.drivesPerNode | int -}}
{{- $scheme := include "objstore.getProtocol" . -}}
{{- $domain := printf "%s-svc.%s.svc" $fullname .Release.Namespace -}}
{{- $pools := list -}}
{{- range $i := until (.Values.pools | int) -}}
{{- $factor := mul $i $nodeCount -}}
{{- $start := $factor -}}
{{- $end := add $factor (sub $nodeCount 1) -}}
{{- $mount := $.Values.mountPath -}}
{{- if gt $drives 1 -}}
{{- $mount = printf "%s-{0...%d}" $.Values.mountPath (sub $drives 1) -}}
{{- end -}}
{{- $pools = append $pools (printf "%s://%s-{%d...%d}.%s.%s%s%s" $scheme $fullname $start $end $domain $.Values.clusterDomain $mount ($.Values.bucketRoot | default "")) -}}
{{- end -}}
{{- join " " $pools -}}
{{- end -}}

{{- define "objstore.validate" -}}
{{- if eq .Values.mode "distributed" -}}
{{- $total := mul (.Values.replicas | int) (.Values.drivesPerNode | int) -}}
{{- if lt $total 4 -}}
{{- fail (printf "distributed mode needs at least 4 drives in a pool, got replicas=%v * drivesPerNode=%v = %d" .Values.replicas .Values.drivesPerNode $total) -}}
{{- end -}}
{{- else if ne .Values.mode "standalone" -}}
{{- fail (printf "mode must be standalone or distributed, not %q" .Values.mode) -}}
{{- end -}}
{{- end -}}

{{- define "objstore.root.username" -}}
  {{- if .Values.rootUser -}}
    {{- .Values.rootUser | toString -}}
  {{- else -}}
    {{- $secret := lookup "v1" "Secret" .Release.Namespace (include "objstore.fullname" .) -}}
    {{- if $secret -}}
      {{- index $secret.data "rootUser" | b64dec -}}
    {{- else -}}
      {{- randAlphaNum 20 -}}
    {{- end -}}
  {{- end -}}
{{- end -}}

{{- define "objstore.root.password" -}}
  {{- if .Values.rootPassword -}}
    {{- .Values.rootPassword | toString -}}
  {{- else -}}
    {{- $secret := lookup "v1" "Secret" .Release.Namespace (include "objstore.fullname" .) -}}
    {{- if $secret -}}
      {{- index $secret.data "rootPassword" | b64dec -}}
    {{- else -}}
      {{- randAlphaNum 40 -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
