from clientbook.cli import main

main()
