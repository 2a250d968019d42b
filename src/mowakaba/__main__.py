from mowakaba.cli import main

main()
