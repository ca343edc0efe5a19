apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-from-tpl-extension
data:
  note: files ending in .tpl are rendered too unless they start with an underscore
