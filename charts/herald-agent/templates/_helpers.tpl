{{/* Labels of an object of the component named by the argument (herald-agent or herald-propagator). */}}
{{- define "herald.labels" -}}
app.kubernetes.io/part-of: herald
app.kubernetes.io/name: {{ . }}
{{- end }}

{{/* A ServiceAccount in herald-system as a binding's subject. */}}
{{- define "herald.subject" -}}
subjects:
  - kind: ServiceAccount
    name: {{ . }}
    namespace: herald-system
{{- end }}

{{/* Herald's code names herald-system (the agent's Lease, the propagator's Roles): no other namespace works. */}}
{{- define "herald.checkNamespace" -}}
{{- if ne .Release.Namespace "herald-system" }}
{{- fail (printf "install this chart into namespace herald-system (helm install -n herald-system --create-namespace), not %s" .Release.Namespace) }}
{{- end }}
{{- end }}

{{/* The propagated kinds' plurals, as a YAML flow list. */}}
{{- define "herald.plurals" -}}
[configs, receivers, routers, silences, inhibitrules, templates, rules, settings]
{{- end }}

{{- define "herald.statusPlurals" -}}
[configs/status, receivers/status, routers/status, silences/status, inhibitrules/status, templates/status, rules/status, settings/status]
{{- end }}

{{/* herald-system first, then each secretNamespaces entry once. */}}
{{- define "herald.secretNamespaces" -}}
{{- prepend .Values.secretNamespaces "herald-system" | uniq | toJson }}
{{- end }}
