"""The spoken-script language: a YAML file a coach writes, checked and turned into data."""
