from clientbook.launch import main

main()
