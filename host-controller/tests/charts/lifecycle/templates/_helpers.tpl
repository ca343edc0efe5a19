{{- define "lifecycle.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/*
A hook Pod that runs to completion. Arguments: the root context as "root", its "name" suffix,
"events", "weight", "policy" (the delete policies, or empty for Helm's default) and "fail".
*/}}
{{- define "lifecycle.hookPod" -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ .root.Release.Name }}-{{ .name }}
  labels:
    {{- include "lifecycle.labels" .root | nindent 4 }}
    app.kubernetes.io/component: hook
  annotations:
    "helm.sh/hook": {{ .events }}
    "helm.sh/hook-weight": {{ .weight | quote }}
    {{- with .policy }}
    "helm.sh/hook-delete-policy": {{ . }}
    {{- end }}
    {{- if .fail }}
    # The test environment's stand-in kubelet fails this Pod.
    testenv.planton-helm.io/phase: Failed
    {{- end }}
spec:
  restartPolicy: Never
  containers:
    - name: {{ .name }}
      image: {{ .root.Values.image }}
      command: ["sh", "-c", "echo {{ .events }} {{ .name }}"]
{{- end }}
