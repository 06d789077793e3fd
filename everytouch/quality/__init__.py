"""Quality: every touch scored against the business's playbook, reviewed, tested, coached."""
