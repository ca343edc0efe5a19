//! A large synthetic chart in the style of public charts, for the throughput benchmarks
//! (`core-wasm/benches/throughput.rs` natively, `host-runtime/benches/runtime.rs` in the sandbox).
//! Not part of the renderer's API.

use crate::api::render::SourceFile;

/// Helpers of the bitnami `common` kind: names, labels, images, tpl'd values, checksums.
const HELPERS: &str = r#"{{- define "synth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "synth.fullname" -}}
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
{{- define "synth.component.fullname" -}}
{{- printf "%s-%s" (include "synth.fullname" .context) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "synth.labels.standard" -}}
app.kubernetes.io/name: {{ include "synth.name" .context }}
helm.sh/chart: {{ printf "%s-%s" .context.Chart.Name .context.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/component: {{ .component }}
{{- with .context.Values.commonLabels }}
{{ include "synth.tplvalues.render" (dict "value" . "context" $.context) }}
{{- end }}
{{- end -}}
{{- define "synth.labels.matchLabels" -}}
app.kubernetes.io/name: {{ include "synth.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}
{{- define "synth.tplvalues.render" -}}
{{- if typeIs "string" .value -}}
{{- tpl .value .context -}}
{{- else -}}
{{- tpl (.value | toYaml) .context -}}
{{- end -}}
{{- end -}}
{{- define "synth.images.image" -}}
{{- $registry := .imageRoot.registry -}}
{{- if .global.imageRegistry -}}{{- $registry = .global.imageRegistry -}}{{- end -}}
{{- $sep := ":" -}}
{{- $term := .imageRoot.tag | toString -}}
{{- if .imageRoot.digest -}}{{- $sep = "@" -}}{{- $term = .imageRoot.digest -}}{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s%s%s" $registry .imageRoot.repository $sep $term -}}
{{- else -}}
{{- printf "%s%s%s" .imageRoot.repository $sep $term -}}
{{- end -}}
{{- end -}}
{{- define "synth.capabilities.deployment.apiVersion" -}}
{{- if semverCompare "<1.14-0" .Capabilities.KubeVersion.Version -}}
{{- print "extensions/v1beta1" -}}
{{- else -}}
{{- print "apps/v1" -}}
{{- end -}}
{{- end -}}
"#;

/// One component's Deployment, Service and ConfigMap.
const DEPLOYMENT: &str = r#"{{- $c := index .Values.components "COMP" }}
{{- if $c.enabled }}
apiVersion: {{ include "synth.capabilities.deployment.apiVersion" . }}
kind: Deployment
metadata:
  name: {{ include "synth.component.fullname" (dict "context" $ "component" "COMP") }}
  namespace: {{ .Release.Namespace | quote }}
  labels: {{- include "synth.labels.standard" (dict "context" $ "component" "COMP") | nindent 4 }}
  {{- with $c.annotations }}
  annotations: {{- include "synth.tplvalues.render" (dict "value" . "context" $) | nindent 4 }}
  {{- end }}
spec:
  replicas: {{ $c.replicas | default 1 }}
  selector:
    matchLabels: {{- include "synth.labels.matchLabels" (dict "context" $ "component" "COMP") | nindent 6 }}
  template:
    metadata:
      labels: {{- include "synth.labels.standard" (dict "context" $ "component" "COMP") | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/COMP-configmap.yaml") . | sha256sum }}
    spec:
      {{- with .Values.global.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      containers:
        - name: COMP
          image: {{ include "synth.images.image" (dict "imageRoot" $c.image "global" .Values.global) }}
          imagePullPolicy: {{ $c.image.pullPolicy | default "IfNotPresent" }}
          {{- if $c.args }}
          args: {{- toYaml $c.args | nindent 12 }}
          {{- end }}
          env:
            - name: COMPONENT
              value: COMP
            {{- range $k, $v := $c.env }}
            - name: {{ $k | upper | replace "-" "_" }}
              value: {{ tpl (toString $v) $ | quote }}
            {{- end }}
          ports:
            {{- range $c.ports }}
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: {{ .protocol | default "TCP" }}
            {{- end }}
          {{- if $c.resources }}
          resources: {{- toYaml $c.resources | nindent 12 }}
          {{- end }}
          livenessProbe:
            httpGet:
              path: {{ $c.probePath | default "/healthz" }}
              port: {{ (first $c.ports).name }}
{{- end }}
"#;

const SERVICE: &str = r#"{{- $c := index .Values.components "COMP" }}
{{- if and $c.enabled $c.ports }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "synth.component.fullname" (dict "context" $ "component" "COMP") }}
  labels: {{- include "synth.labels.standard" (dict "context" $ "component" "COMP") | nindent 4 }}
spec:
  type: {{ $c.service.type | default "ClusterIP" }}
  ports:
    {{- range $c.ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
    {{- end }}
  selector: {{- include "synth.labels.matchLabels" (dict "context" $ "component" "COMP") | nindent 4 }}
{{- end }}
"#;

const CONFIGMAP: &str = r#"{{- $c := index .Values.components "COMP" }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "synth.component.fullname" (dict "context" $ "component" "COMP") }}-config
  labels: {{- include "synth.labels.standard" (dict "context" $ "component" "COMP") | nindent 4 }}
data:
  settings.yaml: |
    {{- $merged := mustMergeOverwrite (deepCopy .Values.defaults) ($c.config | default dict) }}
    {{- toYaml $merged | nindent 4 }}
  settings.json: {{ $c.config | default dict | toJson | quote }}
  {{- range $i, $line := $c.lines }}
  line-{{ $i }}: {{ $line | b64enc | quote }}
  {{- end }}
"#;

/// The files of a chart with `components` components (three templates each), values included.
pub fn synthetic_chart(components: usize) -> Vec<SourceFile> {
    let mut files = vec![
        file(
            "Chart.yaml",
            "apiVersion: v2\nname: synth\nversion: 1.2.3\nappVersion: \"4.5.6\"\n",
        ),
        file("templates/_helpers.tpl", HELPERS),
    ];
    let mut values = String::from(
        "global:\n  imageRegistry: \"\"\n  imagePullSecrets: [regcred]\ncommonLabels:\n  team: \"{{ .Release.Namespace }}-team\"\ndefaults:\n  log: {level: info, format: json}\n  cache: {size: 128, ttl: 30s}\n  features: [a, b, c]\ncomponents:\n",
    );
    for i in 0..components {
        let comp = format!("comp{i:03}");
        values.push_str(&format!(
            "  {comp}:\n    enabled: true\n    replicas: {r}\n    image: {{registry: docker.io, repository: synth/{comp}, tag: \"1.{i}.0\", pullPolicy: IfNotPresent}}\n    args: [--port=8080, --verbose]\n    env: {{log-level: debug, release: \"{{{{ .Release.Name }}}}\", index: \"{i}\"}}\n    ports: [{{name: http, port: 8080}}, {{name: metrics, port: 9090}}]\n    service: {{type: ClusterIP}}\n    resources: {{limits: {{cpu: 500m, memory: 256Mi}}, requests: {{cpu: 100m, memory: 128Mi}}}}\n    annotations: {{prometheus.io/scrape: \"true\", owner: \"{{{{ .Release.Name }}}}\"}}\n    config: {{log: {{level: debug}}, cache: {{size: {size}}}}}\n    lines: [alpha, beta, gamma]\n",
            r = 1 + i % 3,
            size = 64 * (i + 1),
        ));
        for (kind, text) in [
            ("deployment", DEPLOYMENT),
            ("service", SERVICE),
            ("configmap", CONFIGMAP),
        ] {
            files.push(file(
                &format!("templates/{comp}-{kind}.yaml"),
                &text.replace("COMP", &comp),
            ));
        }
    }
    files.push(file("values.yaml", &values));
    files
}

fn file(path: &str, data: &str) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        data: data.as_bytes().to_vec(),
    }
}
