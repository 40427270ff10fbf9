"’ò
É
$123e4567-e89b-12d3-a456-426614174000agent-1crawler"default(2fetch the front page:https://example.comJcrawlZ{"url":"https://example.com"}pàÔx‚{"ok":true}¨€€¨±ãŸçË°€ÊİŸåŸçË¸€ÊİŸåŸçËchild-1child-2U
$123e4567-e89b-12d3-a456-426614174000get 2{"status":200}@*H€ÂÿàãŸçËP€„×äŸçË;
$123e4567-e89b-12d3-a456-426614174000parse P€Æ®ÀäŸçË