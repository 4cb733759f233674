"""Write-audit-publish: a build that passed its error gates becomes a numbered release.

dbt builds into the `audit` schema; `publish_release` copies it, in one transaction, into
a new immutable schema `release_NNNN` and repoints the views of schema `current` at it,
so analysts see the old release or the new one, never a mix. See README "Releases".
"""
