from casebot.cli.main import main

main()
