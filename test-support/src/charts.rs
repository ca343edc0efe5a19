//! Charts written the way public charts are written, for tests that package, push and fetch
//! them.

use std::path::Path;

/// Writes a small chart of our own: a ConfigMap and a Deployment driven by values.
pub fn write_chart(dir: &Path, name: &str, deps: &str) {
    let files: &[(&str, String)] = &[
        (
            "Chart.yaml",
            format!(
                "apiVersion: v2\nname: {name}\ndescription: A small web service for chart-source tests\n\
                 type: application\nversion: 0.0.0\nappVersion: \"2.4.1\"\n{deps}"
            ),
        ),
        (
            "values.yaml",
            "replicaCount: 1\nimage:\n  repository: registry.example/web\n  tag: \"\"\n\
             greeting: hello\nresources: {}\n"
                .to_string(),
        ),
        (
            "templates/_helpers.tpl",
            "{{- define \"web.fullname\" -}}\n{{- printf \"%s-%s\" .Release.Name .Chart.Name | trunc 63 | trimSuffix \"-\" }}\n{{- end }}\n\
             {{- define \"web.labels\" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\n\
             app.kubernetes.io/instance: {{ .Release.Name }}\nhelm.sh/chart: {{ printf \"%s-%s\" .Chart.Name .Chart.Version | replace \"+\" \"_\" }}\n{{- end }}\n"
                .to_string(),
        ),
        (
            "templates/configmap.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"web.fullname\" . }}\n  labels:\n    {{- include \"web.labels\" . | nindent 4 }}\n\
             data:\n  greeting: {{ .Values.greeting | quote }}\n  version: {{ .Chart.Version | quote }}\n"
                .to_string(),
        ),
        (
            "templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.fullname\" . }}\n  namespace: {{ .Release.Namespace }}\n  labels:\n    {{- include \"web.labels\" . | nindent 4 }}\n\
             spec:\n  replicas: {{ .Values.replicaCount }}\n  selector:\n    matchLabels:\n      app.kubernetes.io/instance: {{ .Release.Name }}\n\
             \x20 template:\n    metadata:\n      labels:\n        app.kubernetes.io/instance: {{ .Release.Name }}\n    spec:\n      containers:\n\
             \x20       - name: web\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\n\
             \x20         {{- with .Values.resources }}\n          resources:\n            {{- toYaml . | nindent 12 }}\n          {{- end }}\n"
                .to_string(),
        ),
    ];
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write chart file");
    }
}
