"""Publication: the files of a release (CSV, XLSX, JSON, SDMX-CSV, an offline HTML report and
per-affiliation feedback), read from the release schema and written into one folder."""

from edu_platform.publication.files import write_release_files

__all__ = ["write_release_files"]
