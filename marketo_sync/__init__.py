"""marketo-sync: campaign-as-code for Adobe Marketo Engage.

Smart campaigns are declared in YAML; ``plan`` shows what must change in a Marketo
instance to match the files, ``apply`` makes exactly those changes through the REST API.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
