from casetrail.cli import main

main()
