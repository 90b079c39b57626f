"""Service experience shared by every policy area (issue 12): guides (办事指南),
the case timeline, printable documents with their numbers, the message centre
and its SMS, forgotten passwords, service ratings (好差评) and large print."""
