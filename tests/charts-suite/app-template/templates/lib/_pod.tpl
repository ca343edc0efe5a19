{{/*
The pod spec of a controller. Usage: include "app.lib.pod" (dict "rootContext" $ "id" $id "controller" $c)
*/}}
{{- define "app.lib.pod" -}}
{{- $root := .rootContext -}}
{{- $pod := mustMergeOverwrite (deepCopy $root.Values.defaultPodOptions) (deepCopy (.controller.pod | default dict)) -}}
{{- $saName := "default" -}}
{{- if $root.Values.serviceAccount.create -}}
{{- $saName = default (include "app.lib.chart.names.fullname" $root) $root.Values.serviceAccount.name -}}
{{- end -}}
serviceAccountName: {{ $saName }}
automountServiceAccountToken: {{ $pod.automountServiceAccountToken }}
enableServiceLinks: {{ $pod.enableServiceLinks }}
{{- range $flag := list "hostIPC" "hostNetwork" "hostPID" }}
{{- if index $pod $flag }}
{{ $flag }}: true
{{- end }}
{{- end }}
{{- with $pod.dnsPolicy }}
dnsPolicy: {{ . }}
{{- else }}
dnsPolicy: {{ ternary "ClusterFirstWithHostNet" "ClusterFirst" $pod.hostNetwork }}
{{- end }}
{{- if $pod.restartPolicy }}
restartPolicy: {{ $pod.restartPolicy }}
{{- else if eq .controller.type "cronjob" }}
restartPolicy: Never
{{- end }}
{{- with $pod.securityContext }}
securityContext: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $pod.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ tpl . $root }}
  {{- end }}
{{- end }}
{{- with $pod.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $pod.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- $serviceId := include "app.lib.service.forController" (dict "rootContext" $root "controller" .id) }}
{{- $ports := dict }}
{{- if $serviceId }}
{{- $ports = (get $root.Values.service $serviceId).ports }}
{{- end }}
{{- with .controller.initContainers }}
initContainers:
  {{- range $name := keys . | sortAlpha }}
  {{- $c := get $.controller.initContainers $name }}
  - name: {{ $name }}
    image: {{ printf "%s:%s" $c.image.repository (toString $c.image.tag) }}
    {{- with $c.command }}
    command: {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $c.args }}
    args: {{- toYaml . | nindent 6 }}
    {{- end }}
  {{- end }}
{{- end }}
containers:
{{- range $name, $c := .controller.containers }}
  - name: {{ $name }}
    image: {{ printf "%s:%s" $c.image.repository (toString (default $root.Chart.AppVersion $c.image.tag)) }}
    imagePullPolicy: {{ $c.image.pullPolicy | default "IfNotPresent" }}
    {{- with $c.command }}
    command: {{- toYaml (ternary (list .) . (kindIs "string" .)) | nindent 6 }}
    {{- end }}
    {{- with $c.args }}
    args: {{- toYaml (ternary (list .) . (kindIs "string" .)) | nindent 6 }}
    {{- end }}
    {{- with $c.env }}
    env: {{- include "app.lib.container.env" (dict "rootContext" $root "env" .) | nindent 6 }}
    {{- end }}
    {{- if and (eq $name "main") $ports }}
    ports:
      {{- range $pname, $p := $ports }}
      {{- if dig "enabled" true $p }}
      - name: {{ $pname }}
        containerPort: {{ $p.targetPort | default $p.port }}
        protocol: {{ ternary "UDP" "TCP" (eq (upper (default "TCP" $p.protocol)) "UDP") }}
      {{- end }}
      {{- end }}
    {{- end }}
    {{- include "app.lib.container.probes" (dict "probes" ($c.probes | default dict) "ports" (ternary $ports dict (eq $name "main"))) | nindent 4 }}
    {{- with $c.securityContext }}
    securityContext: {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $c.resources }}
    resources: {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- $mounts := list }}
    {{- range $pid, $p := $root.Values.persistence }}
    {{- if dig "enabled" true $p }}
    {{- $globalMounts := dig "globalMounts" (list (dict "path" (printf "/%s" $pid))) $p }}
    {{- $advanced := dig "advancedMounts" $.id $name list $p }}
    {{- range (concat $globalMounts $advanced) }}
    {{- $mounts = append $mounts (dict "name" $pid "mountPath" .path "readOnly" (dig "readOnly" false .) "subPath" (dig "subPath" "" .)) }}
    {{- end }}
    {{- end }}
    {{- end }}
    {{- with $mounts }}
    volumeMounts:
      {{- range . }}
      - name: {{ .name }}
        mountPath: {{ .mountPath }}
        {{- if .subPath }}
        subPath: {{ .subPath }}
        {{- end }}
        {{- if .readOnly }}
        readOnly: true
        {{- end }}
      {{- end }}
    {{- end }}
{{- end }}
{{- $volumes := list }}
{{- range $pid, $p := $root.Values.persistence }}
{{- if dig "enabled" true $p }}
{{- $type := dig "type" "persistentVolumeClaim" $p }}
{{- $v := dict "name" $pid }}
{{- if eq $type "persistentVolumeClaim" }}
{{- $_ := set $v "persistentVolumeClaim" (dict "claimName" (dig "existingClaim" (include "app.lib.object.name" (dict "rootContext" $root "id" $pid "values" $p "primary" "-")) $p)) }}
{{- else if eq $type "emptyDir" }}
{{- $_ := set $v "emptyDir" (pick $p "medium" "sizeLimit") }}
{{- else if eq $type "configMap" }}
{{- $_ := set $v "configMap" (dict "name" (tpl (dig "name" (include "app.lib.object.name" (dict "rootContext" $root "id" (dig "identifier" $pid $p) "values" dict)) $p) $root)) }}
{{- else if eq $type "secret" }}
{{- $_ := set $v "secret" (dict "secretName" (tpl (required (printf "persistence.%s.name is required for a secret volume" $pid) $p.name) $root)) }}
{{- else if eq $type "hostPath" }}
{{- $_ := set $v "hostPath" (dict "path" (required (printf "persistence.%s.hostPath is required" $pid) $p.hostPath) "type" (dig "hostPathType" "" $p)) }}
{{- else }}
{{- fail (printf "persistence.%s.type %q is not supported (persistentVolumeClaim, emptyDir, configMap, secret, hostPath)" $pid $type) }}
{{- end }}
{{- $volumes = append $volumes $v }}
{{- end }}
{{- end }}
{{- with $volumes }}
volumes: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
