{{/*
Enabled controllers, with defaults filled in. Returns a YAML map keyed by identifier.
*/}}
{{- define "app.lib.controllers.enabled" -}}
  {{- $enabled := dict -}}
  {{- range $identifier, $controller := .Values.controllers -}}
    {{- if kindIs "map" $controller -}}
      {{- if ne (toString (dig "enabled" true $controller)) "false" -}}
        {{- $c := mustMergeOverwrite (dict "type" "deployment" "replicas" 1) (deepCopy $controller) -}}
        {{- $_ := unset $c "enabled" -}}
        {{- $_ := set $enabled $identifier $c -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- $enabled | toYaml -}}
{{- end -}}

{{/*
The service of a controller: the first enabled service pointing at it.
*/}}
{{- define "app.lib.service.forController" -}}
  {{- $found := "" -}}
  {{- range $id, $svc := .rootContext.Values.service -}}
    {{- if and (not $found) (dig "enabled" true $svc) (eq (dig "controller" "main" $svc) $.controller) -}}
      {{- $found = $id -}}
    {{- end -}}
  {{- end -}}
  {{- $found -}}
{{- end -}}

{{/*
Env vars from a map (name: value or name: {valueFrom}) or a list, sorted by name for maps.
*/}}
{{- define "app.lib.container.env" -}}
  {{- $env := .env -}}
  {{- if kindIs "map" $env -}}
    {{- range $name := keys $env | sortAlpha }}
      {{- $value := get $env $name }}
- name: {{ $name }}
      {{- if kindIs "map" $value }}
        {{- if hasKey $value "value" }}
  value: {{ tpl (toString $value.value) $.rootContext | quote }}
        {{- else }}
  valueFrom: {{- omit $value "value" | toYaml | nindent 4 }}
        {{- end }}
      {{- else }}
  value: {{ tpl (toString $value) $.rootContext | quote }}
      {{- end }}
    {{- end }}
  {{- else if kindIs "slice" $env -}}
    {{- tpl (toYaml $env) .rootContext | nindent 0 }}
  {{- end -}}
{{- end -}}

{{/*
Probes of a container: TCP, HTTP, EXEC or custom.
*/}}
{{- define "app.lib.container.probes" -}}
  {{- $ports := .ports -}}
  {{- $firstPort := "" -}}
  {{- range $id, $p := $ports -}}
    {{- if and (not $firstPort) (dig "enabled" true $p) -}}
      {{- $firstPort = $p.targetPort | default $p.port -}}
    {{- end -}}
  {{- end -}}
  {{- range $probeName := list "liveness" "readiness" "startup" -}}
    {{- $probe := dig $probeName dict $.probes -}}
    {{- if dig "enabled" false $probe }}
{{ $probeName }}Probe:
      {{- if dig "custom" false $probe }}
  {{- toYaml $probe.spec | nindent 2 }}
      {{- else }}
        {{- $type := upper (default "TCP" $probe.type) }}
        {{- if eq $type "TCP" }}
  tcpSocket:
    port: {{ $firstPort }}
        {{- else if has $type (list "HTTP" "HTTPS") }}
  httpGet:
    path: {{ dig "path" "/" $probe }}
    port: {{ $firstPort }}
    scheme: {{ $type }}
        {{- end }}
        {{- toYaml (pick $probe.spec "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "failureThreshold") | nindent 2 }}
      {{- end }}
    {{- end }}
  {{- end -}}
{{- end -}}
