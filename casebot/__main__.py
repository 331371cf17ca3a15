from casebot.cli import main

main()
