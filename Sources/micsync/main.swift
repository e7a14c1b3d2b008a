import MicsyncCLI
MicsyncCommand.main()
