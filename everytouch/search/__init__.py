"""One search box for every record a person may open: customers, leads and interactions."""
