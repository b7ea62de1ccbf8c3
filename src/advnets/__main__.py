from advnets.cli import main

main()
