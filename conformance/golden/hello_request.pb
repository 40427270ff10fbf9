R1
agent-éprojt0k *fw2a2b:sB{}J{"k":1}