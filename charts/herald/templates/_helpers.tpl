{{- define "herald.labels" -}}
app.kubernetes.io/part-of: herald
app.kubernetes.io/name: herald-host
{{- end }}

{{- define "herald.binding" -}}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {{ .kind }}
  name: {{ .name }}
subjects:
  - kind: ServiceAccount
    name: herald-host
    namespace: herald-system
{{- end }}

{{/* Herald's code names herald-system (the leader Lease, what join writes on the host): no other namespace works. */}}
{{- define "herald.checkNamespace" -}}
{{- if ne .Release.Namespace "herald-system" }}
{{- fail (printf "install this chart into namespace herald-system (helm install -n herald-system --create-namespace), not %s" .Release.Namespace) }}
{{- end }}
{{- if has "herald-clusters" .Values.secretNamespaces }}
{{- fail "secretNamespaces may not hold herald-clusters: it holds the members' kubeconfig Secrets, which no Herald object may reference" }}
{{- end }}
{{- end }}
