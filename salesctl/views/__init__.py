"""Human views: documents in, `Output` (JSON document + blocks) or text out. No I/O (docs/design.md).

`lead` (lead objects, lists, timelines), `agenda` (`today`, `stalled`), `figures` (report, funnel,
target), `rhythm` (heat strips), `html` (the report as a mail), `counts` (rows written per table). Import the module you need: this
package imports none of them, so a command pays only for its own views.
"""
