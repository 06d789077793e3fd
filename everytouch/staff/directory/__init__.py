"""The staff directory: who works here, their availability and absences, and routing."""
