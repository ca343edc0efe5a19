{{- define "batch-jobs.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- define "batch-jobs.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "batch-jobs.cronApiVersion" -}}
{{- if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion -}}
batch/v1
{{- else -}}
batch/v1beta1
{{- end -}}
{{- end -}}
{{- define "batch-jobs.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{/* A container from a job spec. Usage: include "batch-jobs.container" (dict "name" $n "job" $j "root" $) */}}
{{- define "batch-jobs.container" -}}
- name: {{ .name }}
  image: {{ include "batch-jobs.image" .root }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  {{- with .job.command }}
  command: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .job.args }}
  args:
    {{- range . }}
    - {{ tpl . $.root | quote }}
    {{- end }}
  {{- end }}
  {{- with .job.env }}
  env:
    {{- range $k, $v := . }}
    - name: {{ $k }}
      value: {{ tpl (toString $v) $.root | quote }}
    {{- end }}
  {{- end }}
  {{- with .job.resources }}
  resources: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
